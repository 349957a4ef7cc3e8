package dev.meridian.cli.acceptance;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The testkit's credentials for a test class, where meridian-cli/README.md says the CLI finds them: "Credentials come
 * from the AWS SDK's default chain (system properties, ...)". DynamoDB Local wants alphanumeric keys. Cleared after the
 * class, so that no other class inherits them.
 */
final class TestkitCredentials implements BeforeAllCallback, AfterAllCallback {
    @Override
    public void beforeAll(ExtensionContext context) {
        System.setProperty("aws.accessKeyId", "meridiantestkit");
        System.setProperty("aws.secretAccessKey", "meridiantestkit");
    }

    @Override
    public void afterAll(ExtensionContext context) {
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
    }
}
