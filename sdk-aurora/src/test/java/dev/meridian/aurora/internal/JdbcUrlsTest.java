package dev.meridian.aurora.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JdbcUrlsTest {

    @Test
    void passwordParametersAndUserInfoPasswordsAreMasked() {
        assertThat(JdbcUrls.redact("jdbc:postgresql://db:5432/app?user=app&password=s3cret&ssl=true"))
                .isEqualTo("jdbc:postgresql://db:5432/app?user=app&password=****&ssl=true");
        assertThat(JdbcUrls.redact("jdbc:sqlserver://db;user=app;Password=s3cret;encrypt=true"))
                .isEqualTo("jdbc:sqlserver://db;user=app;Password=****;encrypt=true");
        assertThat(JdbcUrls.redact("jdbc:postgresql://db/app?sslpassword=k3y"))
                .isEqualTo("jdbc:postgresql://db/app?sslpassword=****");
        assertThat(JdbcUrls.redact("jdbc:mysql://app:s3cret@db:3306/app")).isEqualTo("jdbc:mysql://app:****@db:3306/app");
    }

    @Test
    void urlsWithoutSecretsAreUnchanged() {
        String url = "jdbc:postgresql://db-1:5432,db-2:5433/app?targetServerType=primary";
        assertThat(JdbcUrls.redact(url)).isEqualTo(url);
    }

    @Test
    void aDriverMessageQuotingTheUrlLosesOnlyThePassword() {
        String url = "jdbc:nosuch://db/app?password=s3cret";
        assertThat(JdbcUrls.redact("No suitable driver found for " + url, url))
                .isEqualTo("No suitable driver found for jdbc:nosuch://db/app?password=****");
    }
}
