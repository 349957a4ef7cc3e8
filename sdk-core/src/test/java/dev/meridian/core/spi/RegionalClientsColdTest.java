package dev.meridian.core.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.regions.Region;

/** Which attempts' outcomes make a region's client warm (shared by routed clients and wrap's proxy). */
class RegionalClientsColdTest {
    private static final Region WEST = Region.EU_WEST_1;

    private static RegionalClients<Object> clients() {
        MultiRegionConfig config = MultiRegionConfig.builder().region(RegionSpec.of(WEST))
                .region(RegionSpec.of(Region.EU_CENTRAL_1)).localRegion(WEST).build();
        return new RegionalClients<>("Thing", config, (region, spec) -> new Object());
    }

    @Test
    void aResponseMakesTheClientWarm() {
        RegionalClients<Object> clients = clients();
        clients.get(WEST);
        assertThat(clients.cold().test(WEST)).isTrue();
        clients.attempted(WEST, null);
        assertThat(clients.cold().test(WEST)).isFalse();
        assertThat(clients.cold().test(Region.EU_CENTRAL_1)).as("another region's client").isTrue();
    }

    @Test
    void aServiceErrorIsAnAnswerAlsoWrappedByAFuture() {
        RegionalClients<Object> clients = clients();
        clients.get(WEST);
        clients.attempted(WEST, new CompletionException(SdkServiceException.builder().statusCode(500).build()));
        assertThat(clients.cold().test(WEST)).isFalse();
    }

    @Test
    void aFailureWithoutAnAnswerLeavesTheClientCold() {
        RegionalClients<Object> clients = clients();
        clients.get(WEST);
        clients.attempted(WEST, new CompletionException(ApiCallTimeoutException.create(2_000)));
        clients.attempted(WEST, new IllegalStateException("refused"));
        assertThat(clients.cold().test(WEST)).isTrue();
    }
}
