package dev.meridian.spring.doors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.spring.doors.DoorsFixture.Apps;
import dev.meridian.spring.doors.DoorsFixture.Response;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.http.HttpHeaders;

/**
 * Every door a Spring application offers keeps the request's routing context, and a request without routing
 * headers is the "no context" case of the configuration. The local regions' journals are the witness of where each
 * write went; the local region is us-east-1, where a call that lost its context would go.
 */
class DoorsIT {
    private static final Consumer<HttpHeaders> GERMAN_RESTRICTED = h -> {
        h.set("X-Subject-Country", "DE");
        h.set("X-Data-Class", "RESTRICTED");
    };
    private static final Consumer<HttpHeaders> NONE = h -> { };

    private static DoorsFixture fixture;

    @BeforeAll
    static void start() {
        fixture = DoorsFixture.start();
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @BeforeEach
    void clearJournals() {
        fixture.clearJournals();
    }

    private static String id() {
        return UUID.randomUUID().toString();
    }

    private static void assertNothingIn(String region) {
        assertThat(fixture.journal(region).count("PutItem")).as("PutItem in %s: %s", region,
                fixture.journal(region)).isZero();
    }

    /** The configuration's defaults: INTERNAL, no context required. */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class ContextFollowsTheRequest {
        private Apps apps;

        @BeforeAll
        void startApps() {
            apps = fixture.apps();
        }

        @ParameterizedTest
        @EnumSource(Door.class)
        void restrictedGermanDataIsWrittenInItsSessionsEuRegionOnly(Door door) {
            Response r = apps.send(door, DoorsFixture.EU_TABLE, id(), GERMAN_RESTRICTED.andThen(
                    h -> h.set("X-Meridian-Region", "eu-central-1")));

            assertThat(r.status()).as(r.body()).isEqualTo(204);
            // The session's region is honoured only under the request's context; without it eu-west-1 (first by
            // priority of the table's regions) would take the write.
            assertThat(fixture.puts("eu-central-1", DoorsFixture.EU_TABLE)).as(door + " in eu-central-1")
                    .isEqualTo(door == Door.FUTURE_THEN_COMPOSE ? 2 : 1);
            assertNothingIn("eu-west-1");
            assertNothingIn("us-east-1");
        }

        @ParameterizedTest
        @EnumSource(Door.class)
        void restrictedGermanDataNeverReachesTheUsReplicaOfATableReplicatedThere(Door door) {
            Response r = apps.send(door, DoorsFixture.TABLE, id(), GERMAN_RESTRICTED);

            assertThat(r.status()).as(r.body()).isEqualTo(403);
            assertNothingIn("us-east-1");
            assertThat(fixture.puts("eu-west-1", DoorsFixture.TABLE)
                    + fixture.puts("eu-central-1", DoorsFixture.TABLE)).isZero();
        }

        @ParameterizedTest
        @EnumSource(Door.class)
        void aHeaderlessRequestToATableWithADefaultDataClassNeverReachesTheUs(Door door) {
            Response r = apps.send(door, DoorsFixture.DEFAULTED_TABLE, id(), NONE);

            assertThat(r.status()).as(r.body()).isEqualTo(403);
            assertNothingIn("us-east-1");
        }

        @ParameterizedTest
        @EnumSource(Door.class)
        void aHeaderlessRequestIsInternalByDefault(Door door) {
            Response r = apps.send(door, DoorsFixture.TABLE, id(), NONE);

            assertThat(r.status()).as(r.body()).isEqualTo(204);
            assertThat(fixture.puts("us-east-1", DoorsFixture.TABLE)).as("the local region").isEqualTo(1);
        }
    }

    /** {@code meridian.require-context=true}. */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class RequireContext {
        private Apps apps;

        @BeforeAll
        void startApps() {
            apps = fixture.apps("meridian.require-context=true");
        }

        @ParameterizedTest
        @EnumSource(Door.class)
        void aHeaderlessRequestIsRefusedBeforeAnythingIsWritten(Door door) {
            Response r = apps.send(door, DoorsFixture.TABLE, id(), h -> h.set("Idempotency-Key", "\"k-1\""));

            assertThat(r.status()).as(r.body()).isEqualTo(403);
            assertThat(r.body()).contains("require-context");
            for (String region : DoorsFixture.REGIONS) {
                assertNothingIn(region);
            }
        }

        @ParameterizedTest
        @EnumSource(Door.class)
        void aRequestNamingItsDataIsServed(Door door) {
            Response r = apps.send(door, DoorsFixture.EU_TABLE, id(), GERMAN_RESTRICTED);

            assertThat(r.status()).as(r.body()).isEqualTo(204);
            assertNothingIn("us-east-1");
        }
    }

    /** {@code meridian.default-data-class=RESTRICTED}. */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class RestrictedByDefault {
        private Apps apps;

        @BeforeAll
        void startApps() {
            apps = fixture.apps("meridian.default-data-class=RESTRICTED");
        }

        @ParameterizedTest
        @EnumSource(Door.class)
        void aHeaderlessRequestNeverReachesAUsRegion(Door door) {
            Response r = apps.send(door, DoorsFixture.TABLE, id(), h -> h.set("X-Meridian-Region", "us-east-1"));

            assertThat(r.status()).as(r.body()).isEqualTo(403);
            assertNothingIn("us-east-1");
        }
    }
}
