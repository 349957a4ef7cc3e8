package dev.meridian.aurora.datasource;

/** Which endpoint of a region a physical connection came from. */
enum Role {
    WRITER("writer"),
    READER("reader");

    private final String tag;

    Role(String tag) {
        this.tag = tag;
    }

    /** Lower-case name used in metric tags, pool names and logs. */
    String tag() {
        return tag;
    }
}
