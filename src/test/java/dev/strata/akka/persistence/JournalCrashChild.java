package dev.strata.akka.persistence;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.persistence.typed.javadsl.SignalHandler;
import com.typesafe.config.ConfigFactory;
import dev.strata.akka.testkit.StrataTestKit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The child JVM of {@link JournalCrashTest}: persistent actors on the journal, with {@code
 * sync-writes} on, each persisting groups of events back to back until the JVM is killed. A group
 * is one {@code persistAll} of 10 to 50 events, or now and then a single {@code persist}; an event
 * says who wrote it and which group it belongs to ({@link #event}), and the tagger gives it one or
 * two tags ({@link #tagsFor}).
 *
 * <p>It prints, one line each, flushed:
 * <pre>
 * recovered &lt;persistence id&gt; &lt;sequence number&gt;      an actor recovered up to that sequence number
 * persist &lt;persistence id&gt; &lt;first&gt; &lt;size&gt;           an actor is about to persist that group
 * ack &lt;persistence id&gt; &lt;first&gt; &lt;last&gt;               the journal acknowledged that group (sequence numbers)
 * </pre>
 *
 * <p>Usage: {@code JournalCrashChild <store directory> <actors> <seed>}.
 */
public final class JournalCrashChild {
  static final String ID_PREFIX = "writer-";

  private JournalCrashChild() {}

  /** The event at {@code sequenceNr} of {@code persistenceId}, in the group of {@code groupSize} events from {@code groupStart}. */
  static String event(String persistenceId, long sequenceNr, long groupStart, int groupSize) {
    return persistenceId + ":" + sequenceNr + ":" + groupStart + ":" + groupSize;
  }

  /** One or two tags, by sequence number: {@code t0}, {@code t1} or {@code t2}, and {@code even} for even numbers. */
  static Set<String> tagsFor(long sequenceNr) {
    String mod = "t" + (sequenceNr % 3);
    return sequenceNr % 2 == 0 ? Set.of(mod, "even") : Set.of(mod);
  }

  static List<String> allTags() {
    return List.of("even", "t0", "t1", "t2");
  }

  /** The only command: persist the next group. */
  enum Next { INSTANCE }

  /** Its state is the sequence number of its last event. */
  static final class Writer extends EventSourcedBehavior<Next, String, Long> {
    private final ActorContext<Next> context;
    private final String id;
    private final SplittableRandom random;

    static Behavior<Next> create(String id, long seed) {
      return Behaviors.setup(context -> new Writer(context, id, new SplittableRandom(seed)));
    }

    private Writer(ActorContext<Next> context, String id, SplittableRandom random) {
      super(PersistenceId.ofUniqueId(id));
      this.context = context;
      this.id = id;
      this.random = random;
    }

    @Override
    public Long emptyState() {
      return 0L;
    }

    @Override
    public CommandHandler<Next, String, Long> commandHandler() {
      return newCommandHandlerBuilder().forAnyState().onCommand(Next.class, (last, next) -> {
        long start = last + 1;
        int size = random.nextInt(8) == 0 ? 1 : 10 + random.nextInt(41);
        List<String> events = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
          events.add(event(id, start + i, start, size));
        }
        print("persist " + id + " " + start + " " + size);
        return Effect().persist(events).thenRun(state -> {
          print("ack " + id + " " + start + " " + state);
          context.getSelf().tell(Next.INSTANCE);
        });
      }).build();
    }

    @Override
    public EventHandler<Long, String> eventHandler() {
      return newEventHandlerBuilder().forAnyState()
          .onAnyEvent((last, event) -> Long.parseLong(event.split(":")[1]));
    }

    @Override
    public SignalHandler<Long> signalHandler() {
      return newSignalHandlerBuilder().onSignal(RecoveryCompleted.instance(), last -> {
        print("recovered " + id + " " + last);
        context.getSelf().tell(Next.INSTANCE);
      }).build();
    }

    @Override
    public Set<String> tagsFor(String event) {
      return JournalCrashChild.tagsFor(Long.parseLong(event.split(":")[1]));
    }
  }

  private static synchronized void print(String line) {
    System.out.println(line);
    System.out.flush();
  }

  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    int actors = Integer.parseInt(args[1]);
    long seed = Long.parseLong(args[2]);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.setup(context -> {
      for (int i = 0; i < actors; i++) {
        context.spawn(Writer.create(ID_PREFIX + i, seed * 31 + i), ID_PREFIX + i);
      }
      return Behaviors.empty();
    }), "journal-crash-child", ConfigFactory.load(ConfigFactory.parseString("""
        akka.loglevel = WARNING
        strata.stores.persistence.sync-writes = on
        strata.stores.persistence.memtable-size = 256 KiB
        """).withFallback(StrataTestKit.persistenceConfig(dir))));
    system.getWhenTerminated(); // runs until it is killed
  }
}
