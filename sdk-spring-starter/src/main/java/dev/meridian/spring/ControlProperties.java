package dev.meridian.spring;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * The {@code meridian.control.*} properties: where the fleet's region controls come from (docs/fleet-control.md).
 * {@code source} is {@code none} (the default: no control, no thread), {@code static}, {@code table} or {@code arc};
 * with {@code arc} and {@code mirror=true} one instance per region copies ARC's state into the control table and the
 * rest read the table.
 */
@API(status = EXPERIMENTAL, since = "0.1")
public class ControlProperties {
    /** The region control source: none, static, table or arc. */
    private String source = "none";
    /** How often the source is read (each wait 80-100 % of it, jittered). */
    private Duration pollInterval = Duration.ofSeconds(1);
    /** With source=static: comma-separated region=ON[:weight] or region=OFF, e.g. eu-west-1=OFF,eu-central-1=ON:100. */
    private String staticState = "";
    /** The control table's name (source=table, or arc with mirror). */
    private String tableName = "meridian-control";
    /** The regions the control table is read in, in order; empty: the local region, then the others by priority. */
    private List<String> tableRegions = new ArrayList<>();
    /** With source=arc: copy ARC's state into the control table (one lease holder per region) and read the table. */
    private boolean mirror;
    /** How long a mirror that stops renewing keeps its region's lease. */
    private Duration mirrorLease = Duration.ofSeconds(10);
    private final Arc arc = new Arc();

    public String getSource() {
        return source;
    }

    public void setSource(String source) {
        this.source = source;
    }

    public Duration getPollInterval() {
        return pollInterval;
    }

    public void setPollInterval(Duration pollInterval) {
        this.pollInterval = pollInterval;
    }

    public String getStaticState() {
        return staticState;
    }

    public void setStaticState(String staticState) {
        this.staticState = staticState;
    }

    public String getTableName() {
        return tableName;
    }

    public void setTableName(String tableName) {
        this.tableName = tableName;
    }

    public List<String> getTableRegions() {
        return tableRegions;
    }

    public void setTableRegions(List<String> tableRegions) {
        this.tableRegions = tableRegions;
    }

    public boolean isMirror() {
        return mirror;
    }

    public void setMirror(boolean mirror) {
        this.mirror = mirror;
    }

    public Duration getMirrorLease() {
        return mirrorLease;
    }

    public void setMirrorLease(Duration mirrorLease) {
        this.mirrorLease = mirrorLease;
    }

    public Arc getArc() {
        return arc;
    }

    /** {@code meridian.control.arc.*}: the ARC cluster and the routing control of each region. */
    @API(status = EXPERIMENTAL, since = "0.1")
    public static class Arc {
        /** The cluster's regional endpoints by the region each signs for, e.g. us-east-1: https://host-x.route53-recovery-cluster.us-east-1.amazonaws.com/v1. */
        private Map<String, URI> endpoints = new LinkedHashMap<>();
        /** The routing control ARN of each Meridian region. */
        private Map<String, String> controls = new LinkedHashMap<>();
        /** Reads every control with one ListRoutingControls of this control panel instead of one call per control. */
        private @Nullable String controlPanelArn;
        /** The timeout of one endpoint's call; the next endpoint is the retry. */
        private Duration timeout = Duration.ofSeconds(1);

        public Map<String, URI> getEndpoints() {
            return endpoints;
        }

        public void setEndpoints(Map<String, URI> endpoints) {
            this.endpoints = endpoints;
        }

        public Map<String, String> getControls() {
            return controls;
        }

        public void setControls(Map<String, String> controls) {
            this.controls = controls;
        }

        public @Nullable String getControlPanelArn() {
            return controlPanelArn;
        }

        public void setControlPanelArn(@Nullable String controlPanelArn) {
            this.controlPanelArn = controlPanelArn;
        }

        public Duration getTimeout() {
            return timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }
    }
}
