/**
 * An AWS Lambda orders function (API Gateway HTTP API) on Meridian: idempotent order creation and lookup over a
 * multi-region DynamoDB table, configured only by environment variables.
 */
package dev.meridian.samples.lambda;
