package dev.meridian.dynamodb.acceptance.conditions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.meridian.core.residency.DataClass;
import dev.meridian.core.residency.ResidencyViolationException;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.dynamodb.acceptance.conditions.AppClient.Maker;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.async.SdkPublisher;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * sdk-dynamodb's README: "Paginators and waiters keep the context current when they were made". A paginator made in a
 * RESTRICTED scope of a German subject, on a table replicating to us-east-1 too, and read after the scope closed
 * (another request's thread, a reactive subscriber): its pages are still RESTRICTED calls, refused before anything is
 * sent (README: a table replicating outside the jurisdiction) — sync and async, each HTTP client, built or wrapped.
 * So does a waiter made in the scope and used after it.
 */
@LocalRegionsConfig
class PaginatorContextIT {
    private static final String TABLE = "cond_pages";
    static LocalRegions regions;

    @BeforeAll
    static void table() {
        regions.createGlobalTable(LocalRegions.pkTable(TABLE));
    }

    static Stream<Arguments> clients() {
        return AppClient.everyClient();
    }

    private static AppClient client(HttpClientKind http, Maker maker) {
        return AppClient.make(regions, Regions3.config().build(), http, maker, Duration.ofSeconds(2),
                AppClient.pkTable(TABLE));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("clients")
    void pagesReadAfterTheScopeClosedAreStillRestrictedCalls(HttpClientKind http, Maker maker) {
        try (AppClient client = client(http, maker)) {
            Function<AppClient, Runnable> paginator = http.async() ? PaginatorContextIT::asyncScanPages
                    : PaginatorContextIT::syncScanPages;
            Runnable pages;
            try (RoutingContext.Scope s = RoutingContext.builder().subjectCountry("DE")
                    .dataClass(DataClass.RESTRICTED).open()) {
                pages = paginator.apply(client);
            }
            regions.journalsClear();

            Throwable thrown = catchThrowable(pages::run);

            assertThat(thrown instanceof CompletionException ? thrown.getCause() : thrown)
                    .isInstanceOf(ResidencyViolationException.class);
            for (String region : Regions3.ALL) {
                assertThat(regions.journal(region).count("Scan")).as("scans sent to %s", region).isZero();
            }
        }
    }

    /**
     * A waiter made in the scope and used after it closed ends as the same waiter used inside the scope: its
     * {@code DescribeTable} calls run under the context of the scope it was made in, refused before sending.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("clients")
    void aWaiterUsedAfterTheScopeClosedRunsUnderItsContext(HttpClientKind http, Maker maker) {
        try (AppClient client = client(http, maker)) {
            Function<AppClient, Runnable> waiter = http.async() ? PaginatorContextIT::asyncWait
                    : PaginatorContextIT::syncWait;
            Throwable inside;
            Runnable later;
            try (RoutingContext.Scope s = RoutingContext.builder().subjectCountry("DE")
                    .dataClass(DataClass.RESTRICTED).open()) {
                inside = unwrapped(catchThrowable(waiter.apply(client)::run));
                later = waiter.apply(client);
            }
            regions.journalsClear();

            Throwable thrown = unwrapped(catchThrowable(later::run));

            // The SDK's waiter ends on an exception no acceptor matches with an SdkClientException caused by it.
            assertThat(inside).hasRootCauseInstanceOf(ResidencyViolationException.class);
            assertThat(thrown).hasRootCauseInstanceOf(ResidencyViolationException.class);
            for (String region : Regions3.ALL) {
                assertThat(regions.journal(region).isEmpty()).as("nothing sent to %s", region).isTrue();
            }
        }
    }

    private static Throwable unwrapped(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    private static Runnable syncWait(AppClient client) {
        var waiter = client.syncClient().waiter();
        return () -> waiter.waitUntilTableExists(b -> b.tableName(TABLE));
    }

    private static Runnable asyncWait(AppClient client) {
        var waiter = client.asyncClient().waiter();
        return () -> waiter.waitUntilTableExists(b -> b.tableName(TABLE)).join();
    }

    private static Runnable syncScanPages(AppClient client) {
        var iterable = client.syncClient().scanPaginator(b -> b.tableName(TABLE).limit(1));
        return () -> iterable.items().forEach(i -> { });
    }

    private static Runnable asyncScanPages(AppClient client) {
        SdkPublisher<Map<String, AttributeValue>> items = client.asyncClient().scanPaginator(b -> b.tableName(TABLE)
                .limit(1)).items();
        return () -> items.subscribe(i -> { }).join();
    }
}
