package dev.strata.engine;

import dev.strata.StrataListener;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers a store's background events to its {@link StrataListener}s, off the thread that
 * emits them: {@link #emit} only queues the event, and a serial drain on the executor given to
 * {@link #deliverOn} (the store's callback dispatcher) calls the listeners. So the writer never
 * runs user code and never waits for it, and the events of one store arrive one at a time, in the
 * order they were emitted, without a thread of their own (as Akka's own serial executors over a
 * dispatcher). Events emitted before {@link #deliverOn} (while the store opens) wait for it.
 *
 * <p>Thread-safety: {@link #emit} and {@link #deliverOn} may be called from any thread; at most
 * one drain runs at a time, which the {@code draining} flag guards.
 */
public final class ListenerEvents {
  private static final Logger log = LoggerFactory.getLogger(ListenerEvents.class);
  /** Events one drain delivers before it yields its thread to other work on the dispatcher. */
  private static final int BATCH = 64;

  private final Object store;
  private final List<StrataListener> listeners;
  private final Queue<Event> pending = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();
  private volatile Executor executor;

  private record Event(String name, Consumer<StrataListener> call) {}

  ListenerEvents(Object store, List<StrataListener> listeners) {
    this.store = store;
    this.listeners = List.copyOf(listeners);
  }

  /** Starts (or moves) delivery to {@code executor}, with whatever events are waiting. */
  void deliverOn(Executor executor) {
    this.executor = executor;
    schedule();
  }

  /** Queues {@code call} for every listener; {@code name} names the event in the log. Never blocks. */
  public void emit(String name, Consumer<StrataListener> call) {
    if (listeners.isEmpty()) {
      return;
    }
    pending.add(new Event(name, call));
    schedule();
  }

  private void schedule() {
    Executor e = executor;
    if (e == null || pending.isEmpty() || !draining.compareAndSet(false, true)) {
      return;
    }
    try {
      e.execute(this::drain);
    } catch (RejectedExecutionException rejected) {
      // The dispatcher is shut down (the ActorSystem terminated): nothing will run them any more.
      draining.set(false);
      log.warn("store {}: {} listener events dropped, their dispatcher is shut down", store, pending.size());
      pending.clear();
    }
  }

  private void drain() {
    try {
      for (int i = 0; i < BATCH; i++) {
        Event event = pending.poll();
        if (event == null) {
          break;
        }
        for (StrataListener listener : listeners) {
          try {
            event.call().accept(listener);
          } catch (VirtualMachineError fatal) {
            throw fatal;
          } catch (Throwable t) {
            log.warn("store {}: listener {} threw from {}; ignored", store, listener, event.name(), t);
          }
        }
      }
    } finally {
      draining.set(false);
    }
    // An event queued while the flag was still set found no drain to start: start it here.
    schedule();
  }
}
