package dev.meridian.spring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.webflux.autoconfigure.WebFluxAutoConfiguration;
import org.springframework.session.SessionRepository;
import org.springframework.session.web.http.SessionRepositoryFilter;
import org.springframework.session.web.server.session.SpringSessionWebSessionStore;
import org.springframework.web.server.session.DefaultWebSessionManager;
import org.springframework.web.server.session.WebSessionManager;

/** {@code meridian.session.*}: when the session store is made, on which client, and with which settings. */
class MeridianSessionStoreAutoConfigurationTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(MeridianAutoConfiguration.class,
                    MeridianDynamoDbAutoConfiguration.class, MeridianSessionStoreAutoConfiguration.class))
            .withPropertyValues("meridian.regions=eu-west-1,eu-central-1");

    @Test
    void offUnlessEnabled() {
        runner.run(ctx -> assertThat(ctx).doesNotHaveBean(SessionRepository.class));
    }

    @Test
    void enabledItStoresSessionsThroughTheRoutedClient() {
        runner.withPropertyValues("meridian.session.enabled=true", "meridian.session.table-name=web-sessions",
                "meridian.session.data-class=restricted", "meridian.session.subject-country=DE",
                "meridian.session.read-wait=500ms", "meridian.session.timeout=10m").run(ctx -> {
                    assertThat(ctx).hasSingleBean(MeridianDynamoDbSessionRepository.class);
                    MeridianSessionProperties p = ctx.getBean(MeridianSessionProperties.class);
                    assertThat(p.getTableName()).isEqualTo("web-sessions");
                    assertThat(p.getReadWait()).hasMillis(500);
                    assertThat(ctx.getBean(MeridianDynamoDbSessionRepository.class).createSession()
                            .getMaxInactiveInterval()).hasMinutes(10);
                });
    }

    @Test
    void aNegativeReadWaitIsRefusedNamingTheProperty() {
        runner.withPropertyValues("meridian.session.enabled=true", "meridian.session.read-wait=-1s")
                .run(ctx -> assertThat(ctx).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("meridian.session.read-wait"));
    }

    @Test
    void aZeroTimeoutIsRefusedNamingTheProperty() {
        runner.withPropertyValues("meridian.session.enabled=true", "meridian.session.timeout=0s")
                .run(ctx -> assertThat(ctx).hasFailed().getFailure().rootCause()
                        .hasMessageStartingWith("meridian.session.timeout must be positive, was PT0S; "));
    }

    @Test
    void withoutSpringSessionNothingIsMade() {
        runner.withPropertyValues("meridian.session.enabled=true")
                .withClassLoader(new FilteredClassLoader(SessionRepository.class))
                .run(ctx -> assertThat(ctx).doesNotHaveBean(MeridianDynamoDbSessionRepository.class));
    }

    @Test
    void aServletApplicationGetsSpringSessionsFilter() {
        new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(MeridianAutoConfiguration.class,
                        MeridianDynamoDbAutoConfiguration.class, MeridianSessionStoreAutoConfiguration.class))
                .withPropertyValues("meridian.regions=eu-west-1,eu-central-1", "meridian.session.enabled=true")
                .run(ctx -> assertThat(ctx).hasSingleBean(SessionRepositoryFilter.class));
    }

    @Test
    void aWebFluxApplicationGetsSpringSessionsWebSessionManagerOverTheStore() {
        new ReactiveWebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(MeridianAutoConfiguration.class,
                        MeridianDynamoDbAutoConfiguration.class, MeridianSessionStoreAutoConfiguration.class,
                        WebFluxAutoConfiguration.class))
                .withPropertyValues("meridian.regions=eu-west-1,eu-central-1", "meridian.session.enabled=true")
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed().hasSingleBean(MeridianReactiveSessionRepository.class)
                            .doesNotHaveBean(SessionRepositoryFilter.class);
                    WebSessionManager manager = ctx.getBean("webSessionManager", WebSessionManager.class);
                    assertThat(manager).isInstanceOf(DefaultWebSessionManager.class);
                    assertThat(((DefaultWebSessionManager) manager).getSessionStore())
                            .isInstanceOf(SpringSessionWebSessionStore.class);
                });
    }
}
