package dev.meridian.spring;

import static dev.meridian.spring.StarterSettings.SESSION_DATA_CLASS;
import static dev.meridian.spring.StarterSettings.SESSION_READ_WAIT;
import static dev.meridian.spring.StarterSettings.SESSION_SUBJECT_COUNTRY;
import static dev.meridian.spring.StarterSettings.SESSION_TABLE_NAME;
import static dev.meridian.spring.StarterSettings.SESSION_TIMEOUT;
import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import dev.meridian.core.residency.DataClass;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import org.apiguardian.api.API;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.session.ReactiveSessionRepository;
import org.springframework.session.SessionRepository;
import org.springframework.session.config.annotation.web.http.EnableSpringHttpSession;
import org.springframework.session.config.annotation.web.server.EnableSpringWebSession;
import org.springframework.session.web.http.SessionRepositoryFilter;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Spring Session on a DynamoDB global table ({@code meridian.session.enabled=true}, {@code spring-session-core} on the
 * class path): a {@link MeridianDynamoDbSessionRepository} on the routed {@code DynamoDbClient}, and in a servlet
 * application Spring Session's filter ({@code @EnableSpringHttpSession}) unless the application has its own; in a
 * WebFlux application a {@link MeridianReactiveSessionRepository} over it and Spring Session's
 * {@code WebSessionManager} ({@code @EnableSpringWebSession}) unless the application has its own (ordered before
 * Spring Boot's WebFlux auto-configuration, whose in-memory session manager then backs off).
 */
@API(status = EXPERIMENTAL, since = "0.1")
@AutoConfiguration(after = MeridianDynamoDbAutoConfiguration.class,
        beforeName = "org.springframework.boot.webflux.autoconfigure.WebFluxAutoConfiguration")
@ConditionalOnClass({SessionRepository.class, MultiRegionDynamoDb.class})
@ConditionalOnBooleanProperty("meridian.session.enabled")
@ConditionalOnBean(DynamoDbClient.class)
@EnableConfigurationProperties(MeridianSessionProperties.class)
public class MeridianSessionStoreAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(SessionRepository.class)
    MeridianDynamoDbSessionRepository meridianSessionRepository(DynamoDbClient dynamo,
            MeridianSessionProperties properties) {
        // Checked here so that an error names the property, not the builder method it is passed to.
        String dataClass = StarterSettings.check(SESSION_DATA_CLASS, properties.getDataClass());
        String country = properties.getSubjectCountry();
        return MeridianDynamoDbSessionRepository.builder().client(dynamo)
                .table(StarterSettings.check(SESSION_TABLE_NAME, properties.getTableName()))
                .dataClass(DataClass.of(dataClass))
                .subjectCountry(country == null ? null : StarterSettings.check(SESSION_SUBJECT_COUNTRY, country))
                .readWait(StarterSettings.check(SESSION_READ_WAIT, properties.getReadWait()))
                .maxInactiveInterval(StarterSettings.check(SESSION_TIMEOUT, properties.getTimeout())).build();
    }

    /** Spring Session's request filter over the repository. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnClass(name = "jakarta.servlet.Filter")
    @ConditionalOnMissingBean(SessionRepositoryFilter.class)
    @EnableSpringHttpSession
    static class HttpSessions {
    }

    /** Spring Session's {@code WebSessionManager} over the repository, for WebFlux. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
    @ConditionalOnClass(name = {"reactor.core.publisher.Mono", "org.springframework.web.server.WebSession"})
    @ConditionalOnMissingBean(name = "webSessionManager")
    @EnableSpringWebSession
    static class WebSessions {
        @Bean
        @ConditionalOnMissingBean(ReactiveSessionRepository.class)
        MeridianReactiveSessionRepository meridianReactiveSessionRepository(
                MeridianDynamoDbSessionRepository sessions) {
            return new MeridianReactiveSessionRepository(sessions);
        }
    }
}
