package dev.meridian.core.execution;

/**
 * {@link FailureClassifier#aws()}: every runtime's default, built with it, while its rules ({@link AwsFailureRules})
 * are loaded only by the first failure classified (cold start).
 */
final class AwsFailureClassifier implements FailureClassifier {
    static final AwsFailureClassifier INSTANCE = new AwsFailureClassifier();

    private AwsFailureClassifier() {
    }

    @Override
    public FailureDecision classify(Throwable failure) {
        return AwsFailureRules.classify(failure);
    }
}
