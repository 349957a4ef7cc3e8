package dev.meridian.spring;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.time.Duration;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code meridian.session.*}: the Spring Session store on a DynamoDB global table. */
@API(status = EXPERIMENTAL, since = "0.1")
@ConfigurationProperties("meridian.session")
public class MeridianSessionProperties {
    /** Store Spring Session sessions in a DynamoDB global table through the routed client. */
    private boolean enabled;
    /** The sessions' global table (partition key id, string; TTL attribute expiresAt). */
    private String tableName = "meridian-sessions";
    /** The sessions' data class: decides the regions they may be stored in. */
    private String dataClass = "INTERNAL";
    /** The sessions' subject country (RESTRICTED keeps them in its jurisdiction); default the request's. */
    private @Nullable String subjectCountry;
    /** How long a read outside the session's region waits for its last version before refusing. */
    private Duration readWait = Duration.ofSeconds(2);
    /** A new session's idle timeout. */
    private Duration timeout = Duration.ofMinutes(30);

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getTableName() {
        return tableName;
    }

    public void setTableName(String tableName) {
        this.tableName = tableName;
    }

    public String getDataClass() {
        return dataClass;
    }

    public void setDataClass(String dataClass) {
        this.dataClass = dataClass;
    }

    public @Nullable String getSubjectCountry() {
        return subjectCountry;
    }

    public void setSubjectCountry(@Nullable String subjectCountry) {
        this.subjectCountry = subjectCountry;
    }

    public Duration getReadWait() {
        return readWait;
    }

    public void setReadWait(Duration readWait) {
        this.readWait = readWait;
    }

    public Duration getTimeout() {
        return timeout;
    }

    public void setTimeout(Duration timeout) {
        this.timeout = timeout;
    }
}
