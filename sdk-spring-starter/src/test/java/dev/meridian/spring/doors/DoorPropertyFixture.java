package dev.meridian.spring.doors;

import dev.meridian.spring.doors.DoorInvariantProperties.Config;
import dev.meridian.spring.doors.DoorsFixture.Apps;
import dev.meridian.testkit.RequestJournal;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a door property class ({@link DoorInvariantProperties}, {@link DoorReadProperties}) starts and stops around its
 * tries: the local regions, whose journals keep request bodies (the witness names each try's item), and the door
 * applications of each {@link Config}, started on first use for the class's doors (with a roomy hedge budget) and
 * reused by every try. Each property class holds one of its own, so that failsafe forks run them side by side.
 */
final class DoorPropertyFixture {
    private final Map<Config, Apps> apps = new EnumMap<>(Config.class);
    private DoorsFixture fixture;

    /** Starts the local regions; called before the class's first try. */
    void start() {
        fixture = DoorsFixture.start();
        DoorsFixture.REGIONS.forEach(r -> fixture.journal(r).keepBodies());
    }

    /** Stops the applications and the regions; called after the class's last try. */
    void stop() {
        apps.clear();
        if (fixture != null) {
            fixture.close();
        }
    }

    DoorsFixture fixture() {
        return Objects.requireNonNull(fixture, "the fixture is started before the first try");
    }

    /** The applications of {@code config} that serve {@code doors}, started on first use. */
    Apps apps(Config config, Set<Door> doors) {
        return apps.computeIfAbsent(config,
                k -> fixture().apps(doors, DoorsFixture.withRoomyHedgeBudget(k.properties)));
    }

    /** The requests {@code region} received that name item {@code id} (a string key's value) in their body. */
    List<RequestJournal.Entry> requestsNaming(String region, String id) {
        String key = "\"S\":\"" + id + "\"";
        return fixture().journal(region).entries().stream().filter(e -> e.body().filter(b -> b.contains(key))
                .isPresent()).toList();
    }
}
