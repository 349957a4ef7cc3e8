package dev.meridian.aurora.datasource;

import javax.sql.DataSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Transactional;

/** A plain Spring application: one DataSource, a transaction manager, and a service marking its reads read-only. */
@Configuration
@EnableTransactionManagement
class SpringTransactionalConfig {

    @Bean
    PlatformTransactionManager transactionManager(DataSource dataSource) {
        return new DataSourceTransactionManager(dataSource);
    }

    @Bean
    ItemService itemService(DataSource dataSource) {
        return new ItemService(new JdbcTemplate(dataSource));
    }

    /** The application's service; it knows nothing about regions. */
    static class ItemService {
        private final JdbcTemplate jdbc;

        ItemService(JdbcTemplate jdbc) {
            this.jdbc = jdbc;
        }

        @Transactional(readOnly = true)
        public Node whereDoReadsGo() {
            return Node.of(jdbc);
        }

        @Transactional
        public Node whereDoWritesGo() {
            jdbc.update("INSERT INTO items VALUES (gen_random_uuid()::text, 'service')");
            return Node.of(jdbc);
        }
    }
}
