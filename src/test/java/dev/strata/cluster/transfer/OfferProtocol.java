package dev.strata.cluster.transfer;

import akka.actor.ExtendedActorSystem;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Adapter;
import akka.actor.typed.javadsl.Behaviors;
import akka.serialization.SerializerWithStringManifest;
import akka.stream.SourceRef;
import akka.stream.StreamRefResolver;
import akka.util.ByteString;
import java.io.NotSerializableException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * The tests' way of handing a checkpoint from one node to another, as a cluster's protocol would:
 * the receiving node asks the sender's {@link #offerer} actor, over Artery, with {@link Request};
 * it answers {@link Offered} carrying the {@link SourceRef}. The messages cross the wire through
 * {@link Codec}, a binary serializer that writes the refs as {@link ActorRefResolver} and
 * {@link StreamRefResolver} strings (no Java serialization, which Akka leaves off).
 */
final class OfferProtocol {
  /** What the serializer binding names. */
  interface Message {}

  record Request(ActorRef<Offered> replyTo) implements Message {}

  /** The offer, or why the sender could not make one ({@code ref} null then). */
  record Offered(SourceRef<ByteString> ref, String error) implements Message {}

  private OfferProtocol() {}

  /**
   * Offers a checkpoint ({@code offer} takes it) to each requester, its stream passed through
   * {@code tamper} (given the sender's system and the genuine ref, it returns the ref to send): the
   * tests' way to damage, cut or stall the bytes in transit.
   */
  static Behavior<Request> offerer(Supplier<CompletionStage<SourceRef<ByteString>>> offer,
      BiFunction<akka.actor.typed.ActorSystem<?>, SourceRef<ByteString>, SourceRef<ByteString>> tamper) {
    return Behaviors.setup(ctx -> Behaviors.receiveMessage(request -> {
      offer.get().whenComplete((ref, failure) -> request.replyTo().tell(
          failure == null ? new Offered(tamper.apply(ctx.getSystem(), ref), null) : new Offered(null, failure.toString())));
      return Behaviors.same();
    }));
  }

  /** Binary: the manifest says which message; the body is the ref's string form (UTF-8). */
  public static final class Codec extends SerializerWithStringManifest {
    private final ExtendedActorSystem system;

    public Codec(ExtendedActorSystem system) {
      this.system = system;
    }

    @Override
    public int identifier() {
      return 918_273;
    }

    @Override
    public String manifest(Object o) {
      if (o instanceof Request) {
        return "R";
      }
      if (o instanceof Offered) {
        return "O";
      }
      throw new IllegalArgumentException("not a message of the offer protocol: " + o.getClass());
    }

    @Override
    public byte[] toBinary(Object o) {
      String text;
      if (o instanceof Request r) {
        text = ActorRefResolver.get(Adapter.toTyped(system)).toSerializationFormat(r.replyTo());
      } else if (o instanceof Offered offered) {
        text = offered.ref() != null ? "+" + StreamRefResolver.get(system).toSerializationFormat(offered.ref())
            : "-" + offered.error();
      } else {
        throw new IllegalArgumentException("not a message of the offer protocol: " + o.getClass());
      }
      return text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
      String text = new String(bytes, StandardCharsets.UTF_8);
      switch (manifest) {
        case "R":
          return new Request(ActorRefResolver.get(Adapter.toTyped(system)).resolveActorRef(text));
        case "O":
          return text.startsWith("+")
              ? new Offered(StreamRefResolver.get(system).resolveSourceRef(text.substring(1)), null)
              : new Offered(null, text.substring(1));
        default:
          throw new NotSerializableException("unknown manifest '" + manifest + "' of the offer protocol");
      }
    }
  }
}
