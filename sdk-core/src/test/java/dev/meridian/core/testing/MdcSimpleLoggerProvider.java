package dev.meridian.core.testing;

import org.slf4j.helpers.BasicMDCAdapter;
import org.slf4j.simple.SimpleServiceProvider;
import org.slf4j.spi.MDCAdapter;

/**
 * slf4j-simple with a working MDC (slf4j-simple's own MDC is a no-op), selected in tests through the
 * {@code slf4j.provider} system property so that tests can observe the correlation id in the MDC.
 */
public class MdcSimpleLoggerProvider extends SimpleServiceProvider {
    private final MDCAdapter mdc = new BasicMDCAdapter();

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }
}
