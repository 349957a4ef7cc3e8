package dev.meridian.dynamodb.merge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The merge functions over random histories: three replicas (one per region) apply random changes to what they hold
 * and merge each other's states at random moments. Whatever states that leaves, merge is commutative, associative and
 * idempotent, survives the item encoding, and merging every replica gives what a model independent of the
 * representation says: an add is gone only when a remove observed it (the remover's replica had seen it), a field
 * holds its latest write, a counter the sum of every delta.
 */
class MergePropertiesTest {

    private static final List<String> REGIONS = List.of("eu-west-1", "eu-central-1", "us-east-1");

    /** One step of a history, decoded from a random int: kind, replica, element / field, quantity, sync partner. */
    private record Step(int kind, int replica, int element, int quantity, int partner) {
        static Step of(int code) {
            return new Step(code % 4, code / 4 % 3, code / 12 % 4, code / 48 % 5 + 1, code / 240 % 3);
        }

        String elementName() {
            return "e" + element;
        }
    }

    /** Runs a history of changes and syncs over three replicas; stamps grow with every change. */
    private static final class Replicas<T extends Mergeable<T>> {
        final List<T> states = new ArrayList<>();
        long hlc;

        Replicas(T empty) {
            REGIONS.forEach(r -> states.add(empty));
        }

        MergeStamp stamp(int replica) {
            return new MergeStamp(++hlc, REGIONS.get(replica), "node" + replica);
        }

        T change(int replica, BiFunction<T, MergeStamp, T> operation) {
            T change = operation.apply(states.get(replica), stamp(replica));
            states.set(replica, states.get(replica).merge(change));
            return change;
        }

        void sync(int to, int from) {
            states.set(to, states.get(to).merge(states.get(from)));
        }

        T all() {
            return states.get(0).merge(states.get(1)).merge(states.get(2));
        }
    }

    private static <T extends Mergeable<T>> void assertLaws(List<T> s) {
        T a = s.get(0);
        T b = s.get(1);
        T c = s.get(2);
        assertThat(a.merge(b)).as("commutative").isEqualTo(b.merge(a));
        assertThat(a.merge(b).merge(c)).as("associative").isEqualTo(a.merge(b.merge(c)));
        assertThat(a.merge(a)).as("idempotent").isEqualTo(a);
        assertThat(a.merge(b).merge(b)).as("idempotent after merge").isEqualTo(a.merge(b));
    }

    @Property(tries = 500)
    void orSetIsAJoinAndAddsWin(@ForAll @Size(max = 60) List<@IntRange(min = 0, max = 719) Integer> codes) {
        Replicas<OrSet> replicas = new Replicas<>(OrSet.empty());
        Map<String, Step> adds = new HashMap<>();
        List<Set<String>> seen = List.of(new HashSet<>(), new HashSet<>(), new HashSet<>());
        Set<String> removedAdds = new HashSet<>();
        for (int code : codes) {
            Step step = Step.of(code);
            int r = step.replica();
            if (step.kind() == 3) {
                replicas.sync(r, step.partner());
                seen.get(r).addAll(seen.get(step.partner()));
                continue;
            }
            if (step.kind() >= 1) {
                // remove or setQuantity: every add of the element this replica has seen is removed.
                seen.get(r).stream().filter(tag -> adds.get(tag).element() == step.element()).forEach(removedAdds::add);
            }
            OrSet change = replicas.change(r, (current, stamp) -> switch (step.kind()) {
                case 0 -> current.add(step.elementName(), step.quantity(), stamp);
                case 1 -> current.remove(step.elementName());
                default -> current.setQuantity(step.elementName(), step.quantity(), stamp);
            });
            if (step.kind() != 1) {
                String tag = "stamp" + replicas.hlc;
                adds.put(tag, step);
                seen.get(r).add(tag);
            }
            assertThat(change).isNotNull();
        }
        assertLaws(replicas.states);

        Map<String, Long> model = new TreeMap<>();
        adds.forEach((tag, add) -> {
            if (!removedAdds.contains(tag)) {
                model.merge(add.elementName(), (long) add.quantity(), Long::sum);
            }
        });
        assertThat(replicas.all().items()).isEqualTo(model);
        replicas.states.forEach(s -> assertThat(OrSet.TYPE.decode("x", OrSet.TYPE.encode("x", s))).isEqualTo(s));
    }

    @Property(tries = 500)
    void lwwMapIsAJoinAndKeepsEachFieldsLatestWrite(
            @ForAll @Size(max = 60) List<@IntRange(min = 0, max = 719) Integer> codes) {
        Replicas<LwwMap> replicas = new Replicas<>(LwwMap.empty());
        Map<String, AttributeValue> model = new TreeMap<>();
        for (int code : codes) {
            Step step = Step.of(code);
            String field = "f" + step.element();
            if (step.kind() == 3) {
                replicas.sync(step.replica(), step.partner());
            } else if (step.kind() == 1) {
                replicas.change(step.replica(), (current, stamp) -> current.remove(field, stamp));
                model.remove(field);
            } else {
                AttributeValue value = AttributeValue.fromS("v" + code);
                replicas.change(step.replica(), (current, stamp) -> current.put(field, value, stamp));
                model.put(field, value);
            }
        }
        assertLaws(replicas.states);
        assertThat(replicas.all().values()).isEqualTo(model);
        replicas.states.forEach(s -> assertThat(LwwMap.TYPE.decode("x", LwwMap.TYPE.encode("x", s))).isEqualTo(s));
    }

    @Property(tries = 500)
    void pnCounterIsAJoinAndSumsEveryDelta(@ForAll @Size(max = 60) List<@IntRange(min = 0, max = 719) Integer> codes) {
        Replicas<PnCounter> replicas = new Replicas<>(PnCounter.empty());
        long model = 0;
        for (int code : codes) {
            Step step = Step.of(code);
            if (step.kind() == 3) {
                replicas.sync(step.replica(), step.partner());
            } else {
                long delta = step.kind() == 1 ? -step.quantity() : step.quantity();
                replicas.change(step.replica(), (current, stamp) -> current.add(delta, stamp));
                model += delta;
            }
        }
        assertLaws(replicas.states);
        assertThat(replicas.all().value()).isEqualTo(model);
    }
}
