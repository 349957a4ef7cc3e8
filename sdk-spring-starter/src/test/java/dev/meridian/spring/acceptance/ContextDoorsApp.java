package dev.meridian.spring.acceptance;

import dev.meridian.core.routing.RoutingContext;
import dev.meridian.spring.MeridianAutoConfiguration;
import dev.meridian.spring.MeridianContextPropagationAutoConfiguration;
import dev.meridian.spring.MeridianWebAutoConfiguration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.task.SimpleAsyncTaskExecutorBuilder;
import org.springframework.boot.task.ThreadPoolTaskExecutorBuilder;
import org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.task.AsyncTaskExecutor;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;
import org.springframework.web.context.request.async.WebAsyncTask;
import org.springframework.web.servlet.config.annotation.AsyncSupportConfigurer;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * A Spring MVC application whose endpoints answer with the routing context ({@link HeaderApps#describe}) current on
 * the thread where each door of the README's "Context across threads" runs the application's work, with no Meridian
 * code. Spring MVC's own async executor is one the application built itself (not from Boot's builders), so a
 * {@code Callable} reaches its context only through the starter's {@code CallableProcessingInterceptor}.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAsync
@ImportAutoConfiguration({TomcatServletWebServerAutoConfiguration.class, DispatcherServletAutoConfiguration.class,
        WebMvcAutoConfiguration.class, HttpMessageConvertersAutoConfiguration.class,
        TaskExecutionAutoConfiguration.class, MeridianAutoConfiguration.class, MeridianWebAutoConfiguration.class,
        MeridianContextPropagationAutoConfiguration.class})
class ContextDoorsApp {
    static String here() {
        return HeaderApps.describe(RoutingContext.current(), "");
    }

    /** Spring MVC's async executor, built by the application without Boot's builders (so without the decorator). */
    @Bean
    WebMvcConfigurer ownMvcExecutor() {
        ThreadPoolTaskExecutor own = new ThreadPoolTaskExecutor();
        own.setThreadNamePrefix("own-mvc-");
        own.initialize();
        return new WebMvcConfigurer() {
            @Override
            public void configureAsyncSupport(AsyncSupportConfigurer configurer) {
                configurer.setTaskExecutor(own);
            }
        };
    }

    @Bean
    AsyncWork asyncWork() {
        return new AsyncWork();
    }

    /** An {@code @Async} service. */
    public static class AsyncWork {
        @Async
        public CompletableFuture<String> here() {
            return CompletableFuture.completedFuture(ContextDoorsApp.here());
        }
    }

    /**
     * The doors (a member component of the configuration, registered with it). Its executors built with Boot's
     * builders are not beans, so Boot still provides its application task executor.
     */
    @RestController
    static class Doors implements DisposableBean {
        private final AsyncTaskExecutor applicationTaskExecutor;
        /** One thread, so a later task reuses the thread a request's task used. */
        private final ThreadPoolTaskExecutor builtPool;
        private final SimpleAsyncTaskExecutor builtSimple;
        private final AsyncWork asyncWork;
        private final ExecutorService own = Executors.newSingleThreadExecutor();

        Doors(AsyncTaskExecutor applicationTaskExecutor, ThreadPoolTaskExecutorBuilder poolBuilder,
                SimpleAsyncTaskExecutorBuilder simpleBuilder, AsyncWork asyncWork) {
            this.applicationTaskExecutor = applicationTaskExecutor;
            this.builtPool = poolBuilder.corePoolSize(1).maxPoolSize(1).threadNamePrefix("built-pool-").build();
            this.builtPool.initialize();
            this.builtSimple = simpleBuilder.threadNamePrefix("built-simple-").build();
            this.asyncWork = asyncWork;
        }

        ThreadPoolTaskExecutor pool() {
            return builtPool;
        }

        @Override
        public void destroy() {
            builtPool.shutdown();
            own.shutdownNow();
        }

        @GetMapping("/ctx/request-thread")
        String requestThread() {
            return here();
        }

        @GetMapping("/ctx/application-task-executor")
        String applicationTaskExecutor() throws Exception {
            return applicationTaskExecutor.submit(ContextDoorsApp::here).get();
        }

        @GetMapping("/ctx/built-pool")
        String builtPool() throws Exception {
            return builtPool.submit(ContextDoorsApp::here).get();
        }

        @GetMapping("/ctx/built-simple")
        String builtSimple() throws Exception {
            return builtSimple.submit(ContextDoorsApp::here).get();
        }

        @GetMapping("/ctx/async-method")
        CompletableFuture<String> asyncMethod() {
            return asyncWork.here();
        }

        @GetMapping("/ctx/callable")
        Callable<String> callable() {
            return ContextDoorsApp::here;
        }

        @GetMapping("/ctx/web-async-task")
        WebAsyncTask<String> webAsyncTask() {
            return new WebAsyncTask<>(30_000L, ContextDoorsApp::here);
        }

        @GetMapping("/ctx/deferred")
        DeferredResult<String> deferred() {
            DeferredResult<String> result = new DeferredResult<>(30_000L);
            applicationTaskExecutor.execute(() -> result.setResult(here()));
            return result;
        }

        @GetMapping("/ctx/own-executor")
        String ownExecutor() throws Exception {
            return own.submit(ContextDoorsApp::here).get();
        }

        @GetMapping("/ctx/supply-async")
        String supplyAsync() {
            return CompletableFuture.supplyAsync(ContextDoorsApp::here).join();
        }
    }
}
