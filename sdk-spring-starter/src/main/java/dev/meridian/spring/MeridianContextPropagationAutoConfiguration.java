package dev.meridian.spring;

import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.routing.RoutingContextAccessor;
import io.micrometer.context.ContextRegistry;
import org.apiguardian.api.API;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.support.ContextPropagatingTaskDecorator;
import org.springframework.web.servlet.config.annotation.AsyncSupportConfigurer;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import reactor.core.publisher.Hooks;

/**
 * Makes the request's {@code RoutingContext} follow the request across threads, through Micrometer Context
 * Propagation (sdk-core registers the thread-local as {@link RoutingContextAccessor}):
 * <ul>
 *   <li>a {@link ContextPropagatingTaskDecorator} for the task executors Spring Boot builds (the application task
 *       executor behind {@code @Async} and Spring MVC's {@code Callable} / {@code WebAsyncTask}, and any executor
 *       built with Boot's builders): a task runs under the context of the thread that submitted it;</li>
 *   <li>in a servlet application, a {@link RoutingContextCallableInterceptor}, so a {@code Callable} or
 *       {@code WebAsyncTask} runs under the request's context on any executor, decorated or not;</li>
 *   <li>with Reactor, {@link Hooks#enableAutomaticContextPropagation()}: the context the WebFlux filter puts into the
 *       Reactor {@code Context} is the thread's current one wherever the pipeline runs, without
 *       {@link MeridianReactive}.</li>
 * </ul>
 * Where no context can be known, calls are routed as calls without one (the configured default data class, or
 * {@code meridian.require-context} refuses them). Off with {@code meridian.context-propagation.enabled=false}.
 */
@API(status = STABLE, since = "0.1")
@AutoConfiguration(after = {MeridianAutoConfiguration.class, TaskExecutionAutoConfiguration.class})
@ConditionalOnClass({ContextRegistry.class, RoutingContextAccessor.class})
@ConditionalOnBean(MultiRegion.class)
@ConditionalOnBooleanProperty(name = "meridian.context-propagation.enabled", matchIfMissing = true)
public class MeridianContextPropagationAutoConfiguration {

    /**
     * Boot applies every {@code TaskDecorator} bean to the executors it builds; none is added when the application
     * (or {@code spring.task.execution.propagate-context=true}) already has a propagating one.
     */
    @Bean
    @ConditionalOnClass(ContextPropagatingTaskDecorator.class)
    @ConditionalOnMissingBean(ContextPropagatingTaskDecorator.class)
    ContextPropagatingTaskDecorator meridianContextPropagatingTaskDecorator() {
        return new ContextPropagatingTaskDecorator();
    }

    /** Spring MVC's asynchronous request processing. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnClass(WebMvcConfigurer.class)
    static class ServletAsync {
        @Bean
        WebMvcConfigurer meridianAsyncRoutingContext() {
            return new WebMvcConfigurer() {
                @Override
                public void configureAsyncSupport(AsyncSupportConfigurer configurer) {
                    configurer.registerCallableInterceptors(new RoutingContextCallableInterceptor());
                }
            };
        }
    }

    /** Reactor's automatic propagation of thread-locals from the Reactor {@code Context}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(Hooks.class)
    static class Reactor {
        @Bean
        InitializingBean meridianReactorContextPropagation() {
            return Hooks::enableAutomaticContextPropagation;
        }
    }
}
