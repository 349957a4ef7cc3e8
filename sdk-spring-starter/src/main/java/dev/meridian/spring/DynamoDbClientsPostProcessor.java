package dev.meridian.spring;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.RegionalClientFactory;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import dev.meridian.dynamodb.client.TableConfig;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.ResolvableType;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Makes the application's {@link DynamoDbClient} and {@link DynamoDbAsyncClient} beans multi-region: each is replaced
 * by a routed client over the shared {@link MultiRegion}, whose per-region clients come from a
 * {@code RegionalClientFactory<DynamoDbClient>} (or async) bean when the application has one, else are built the way
 * the bean's auto-configuration built it when a {@link DynamoDbClientRecipes} knows it (Spring Cloud AWS's client),
 * else copy the existing client's credentials and override configuration. Beans marked {@link SingleRegion}, named in
 * {@code meridian.dynamodb.exclude-beans}, or all with {@code meridian.dynamodb.wrap-beans=false}, stay as they are.
 * The replaced clients are closed when the context closes. With
 * {@code meridian.dynamodb.replication-lag-probe.table} set, each routed sync client runs the replication-lag probe
 * (the probe runs on sync clients only: a routed async client routes reads under a session token to the written
 * region).
 */
class DynamoDbClientsPostProcessor implements BeanPostProcessor, BeanFactoryAware, DisposableBean {
    private static final Logger LOG = LoggerFactory.getLogger(DynamoDbClientsPostProcessor.class);

    private final ObjectProvider<MultiRegion> runtime;
    private final MeridianProperties properties;
    private final List<AutoCloseable> replaced = new CopyOnWriteArrayList<>();
    private @Nullable ConfigurableListableBeanFactory beanFactory;

    DynamoDbClientsPostProcessor(ObjectProvider<MultiRegion> runtime, MeridianProperties properties) {
        this.runtime = runtime;
        this.properties = properties;
    }

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        this.beanFactory = (ConfigurableListableBeanFactory) beanFactory;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
        boolean sync = bean instanceof DynamoDbClient;
        if (!(sync || bean instanceof DynamoDbAsyncClient) || RegionalDynamoDbClients.isRouted(bean)
                || !wanted(beanName)) {
            return bean;
        }
        List<TableConfig> tables = DynamoDbTables.of(properties);
        MultiRegionDynamoDb.Builder b = MultiRegionDynamoDb.builder().multiRegion(runtime.getObject()).tables(tables);
        Object routed;
        if (sync) {
            DynamoDbClient client = (DynamoDbClient) bean;
            b.regionalClientFactory(this.<DynamoDbClient>factory(DynamoDbClient.class)
                    .getIfAvailable(() -> recipe(beanName).orElseGet(() -> RegionalDynamoDbClients.like(client))));
            DynamoDbLagProbes.of(properties).ifPresent(b::replicationLagProbe);
            routed = b.buildClient();
        } else {
            DynamoDbAsyncClient client = (DynamoDbAsyncClient) bean;
            b.regionalAsyncClientFactory(this.<DynamoDbAsyncClient>factory(DynamoDbAsyncClient.class)
                    .getIfAvailable(() -> RegionalDynamoDbClients.like(client)));
            routed = b.buildAsyncClient();
        }
        replaced.add((AutoCloseable) bean);
        LOG.info("Meridian made bean '{}' ({}) multi-region", beanName, sync ? "DynamoDbClient" : "DynamoDbAsyncClient");
        return routed;
    }

    private boolean wanted(String beanName) {
        MeridianProperties.DynamoDb d = properties.getDynamodb();
        if (!d.isWrapBeans() || Set.copyOf(d.getExcludeBeans()).contains(beanName)) {
            return false;
        }
        return beanFactory == null || !beanFactory.containsBeanDefinition(beanName)
                || beanFactory.findAnnotationOnBean(beanName, SingleRegion.class) == null;
    }

    private Optional<RegionalClientFactory<DynamoDbClient>> recipe(String beanName) {
        return Objects.requireNonNull(beanFactory, "beanFactory").getBeanProvider(DynamoDbClientRecipes.class).orderedStream()
                .flatMap(r -> r.regionalFactory(beanName).stream()).findFirst();
    }

    private <C> ObjectProvider<RegionalClientFactory<C>> factory(Class<C> client) {
        return Objects.requireNonNull(beanFactory, "beanFactory").getBeanProvider(ResolvableType.forClassWithGenerics(RegionalClientFactory.class, client));
    }

    @Override
    public void destroy() {
        Closeables.closeAll(replaced);
    }
}
