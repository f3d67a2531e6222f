import { EventEmitter } from 'node:events';
import { StreamFlow, type FlowControlledStream } from './stream-flow';

class FakeStream extends EventEmitter implements FlowControlledStream {
  paused = false;
  writableNeedDrain = false;
  pause() {
    this.paused = true;
  }
  resume() {
    this.paused = false;
  }
}

describe('StreamFlow', () => {
  it('stops reading at maxPending un-answered requests and reads again below it', () => {
    const stream = new FakeStream();
    const flow = new StreamFlow(stream, 2);
    flow.received();
    expect(stream.paused).toBe(false);
    flow.received();
    expect(stream.paused).toBe(true);
    flow.answered();
    expect(stream.paused).toBe(false);
  });

  it('waits for written responses to drain before reading again', () => {
    const stream = new FakeStream();
    const flow = new StreamFlow(stream, 1);
    flow.received();
    stream.writableNeedDrain = true;
    flow.answered();
    expect(stream.paused).toBe(true);
    stream.writableNeedDrain = false;
    stream.emit('drain');
    expect(stream.paused).toBe(false);
  });
});
