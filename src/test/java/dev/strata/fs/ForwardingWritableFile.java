package dev.strata.fs;

import java.io.IOException;

/** A writable file that passes every call to another; test wrappers override what they change. */
public class ForwardingWritableFile implements WritableFile {
  protected final WritableFile delegate;

  public ForwardingWritableFile(WritableFile delegate) {
    this.delegate = delegate;
  }

  @Override
  public void append(byte[] data, int offset, int length) throws IOException {
    delegate.append(data, offset, length);
  }

  @Override
  public void flush() throws IOException {
    delegate.flush();
  }

  @Override
  public void sync() throws IOException {
    delegate.sync();
  }

  @Override
  public long size() {
    return delegate.size();
  }

  @Override
  public void close() throws IOException {
    delegate.close();
  }
}
