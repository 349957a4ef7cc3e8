package dev.meridian.samples.orders;

import dev.meridian.core.execution.NoRegionAvailableException;
import dev.meridian.core.idempotency.IdempotencyInProgressException;
import dev.meridian.core.idempotency.IdempotencyKeyReuseException;
import dev.meridian.core.residency.ResidencyViolationException;
import dev.meridian.spring.IdempotencyKeyMissingException;
import java.util.Objects;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /orders} (send an {@code Idempotency-Key}), {@code GET /orders/{id}}, {@code GET /catalogue}. The
 * request's headers ({@code X-Subject-Country}, {@code X-Data-Class}, {@code X-Meridian-Region}) are read by the
 * starter's filter before this runs; Meridian's refusals become problem+json answers here.
 */
@RestController
class OrderController {
    private final Orders orders;
    private final Catalogue catalogue;

    public OrderController(Orders orders, Catalogue catalogue) {
        this.orders = Objects.requireNonNull(orders, "orders");
        this.catalogue = Objects.requireNonNull(catalogue, "catalogue");
    }

    @PostMapping("/orders")
    public ResponseEntity<Orders.Order> place(@RequestBody Orders.NewOrder order) {
        return ResponseEntity.status(HttpStatus.CREATED).body(orders.place(order));
    }

    @GetMapping("/orders/{id}")
    public ResponseEntity<Orders.Order> find(@PathVariable String id) {
        return ResponseEntity.of(orders.find(id));
    }

    @GetMapping("/catalogue")
    public Catalogue.View catalogue() {
        return catalogue.list();
    }

    @ExceptionHandler(IdempotencyKeyMissingException.class)
    ProblemDetail missingKey(IdempotencyKeyMissingException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, "Send an Idempotency-Key header");
    }

    @ExceptionHandler(IdempotencyKeyReuseException.class)
    ProblemDetail reusedKey(IdempotencyKeyReuseException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.UNPROCESSABLE_CONTENT,
                "This Idempotency-Key was used with another request");
    }

    @ExceptionHandler(IdempotencyInProgressException.class)
    ProblemDetail inProgress(IdempotencyInProgressException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, "A request with this key is still running");
    }

    @ExceptionHandler(ResidencyViolationException.class)
    ProblemDetail residency(ResidencyViolationException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.FORBIDDEN, e.getMessage());
    }

    @ExceptionHandler(NoRegionAvailableException.class)
    ProblemDetail unavailable(NoRegionAvailableException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
    }
}
