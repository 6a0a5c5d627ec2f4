package dev.strata.akka.persistence;

import akka.actor.ActorSystem;
import akka.persistence.PersistentRepr;
import akka.persistence.PersistentRepr$;
import akka.persistence.serialization.MessageSerializer;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import scala.util.Try;

/**
 * Akka serialization for the plugins: an object to a {@link Payload} (serializer id, manifest,
 * bytes) and back, with the actor system's transport information set, so that serializers of
 * payloads holding {@code ActorRef}s can write and resolve them. Thread-safe.
 */
final class PayloadSerialization {
  private final Serialization serialization;

  PayloadSerialization(ActorSystem system) {
    this.serialization = SerializationExtension.get(system);
  }

  /** Serializes {@code o} with the serializer bound to its class; throws what that serializer throws. */
  Payload serialize(Object o) throws Exception {
    Try<byte[]> bytes = serialization.serialize(o);
    if (bytes.isFailure()) {
      Throwable cause = bytes.failed().get();
      if (cause instanceof Exception e) {
        throw e;
      }
      throw (Error) cause;
    }
    Serializer serializer = serialization.findSerializerFor(o);
    return new Payload(serializer.identifier(), Serializers.manifestFor(serializer, o), bytes.get());
  }

  /**
   * Whether the actor system serializes a {@code PersistentRepr} with Akka Persistence's own
   * {@code MessageSerializer} (the default binding), whose fields the journal may then store itself.
   */
  boolean persistentReprUsesAkkaSerializer() {
    PersistentRepr sample = PersistentRepr$.MODULE$.apply("", 1L, "", "", false, null, "");
    return serialization.findSerializerFor(sample) instanceof MessageSerializer;
  }

  /** The object {@code payload} holds; throws when its serializer is not configured or fails. */
  Object deserialize(Payload payload) {
    return serialization.deserialize(payload.bytes(), payload.serializerId(), payload.manifest()).get();
  }
}
