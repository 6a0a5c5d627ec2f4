package dev.strata.actor;

import akka.actor.typed.ActorRef;
import dev.strata.WriteBatch;
import dev.strata.engine.CommitCheck;
import dev.strata.engine.WriterSignals;
import dev.strata.memtable.Memtable;
import java.util.concurrent.CompletableFuture;

/** The engine's signals delivered as messages to the writer actor. Thread-safe: tell never blocks. */
public final class ActorWriterSignals implements WriterSignals {
  private final ActorRef<WriterActor.Command> writer;

  public ActorWriterSignals(ActorRef<WriterActor.Command> writer) {
    this.writer = writer;
  }

  @Override
  public void memtableFull(Memtable memtable) {
    writer.tell(new WriterActor.MemtableFull(memtable));
  }

  @Override
  public void enqueueWrite(WriteBatch batch, CommitCheck check, CompletableFuture<Void> done) {
    writer.tell(new WriterActor.Write(batch, check, done));
  }

  @Override
  public void compactionWanted(long fileNumber) {
    writer.tell(new WriterActor.CompactionWanted(fileNumber));
  }

  @Override
  public void obsoleteFilesReleased() {
    writer.tell(WriterActor.ObsoleteFilesReleased.INSTANCE);
  }
}
