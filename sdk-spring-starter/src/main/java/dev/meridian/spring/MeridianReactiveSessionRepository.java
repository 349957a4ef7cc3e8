package dev.meridian.spring;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import dev.meridian.spring.MeridianDynamoDbSessionRepository.RegionalSession;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.apiguardian.api.API;
import org.springframework.session.ReactiveSessionRepository;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The DynamoDB session store for WebFlux: Spring Session's {@link ReactiveSessionRepository} over
 * {@link MeridianDynamoDbSessionRepository}. Each call blocks (the routed synchronous client), so it runs on Reactor's
 * bounded elastic scheduler, under the request's {@link dev.meridian.core.routing.RoutingContext} taken from the
 * Reactor context ({@link MeridianReactive#fromCallable}): a session is routed, refused or served exactly as in a
 * servlet application. Thread-safe.
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class MeridianReactiveSessionRepository implements ReactiveSessionRepository<RegionalSession> {
    private final MeridianDynamoDbSessionRepository sessions;

    /** Over {@code sessions}, which decides everything about where a session lives. */
    public MeridianReactiveSessionRepository(MeridianDynamoDbSessionRepository sessions) {
        this.sessions = Objects.requireNonNull(sessions, "sessions");
    }

    @Override
    public Mono<RegionalSession> createSession() {
        return blocking(sessions::createSession);
    }

    @Override
    public Mono<Void> save(RegionalSession session) {
        return blocking(() -> {
            sessions.save(session);
            return session;
        }).then();
    }

    @Override
    public Mono<RegionalSession> findById(String id) {
        return blocking(() -> sessions.findById(id));
    }

    @Override
    public Mono<Void> deleteById(String id) {
        return blocking(() -> {
            sessions.deleteById(id);
            return id;
        }).then();
    }

    private static <T> Mono<T> blocking(Callable<? extends T> call) {
        return MeridianReactive.<T>fromCallable(call).subscribeOn(Schedulers.boundedElastic());
    }
}
