// First: where a native backend was installed, TensorFlow.js must load from there (see nativeModules.ts).
import './nativeModules';
import { RpcEndpoint, type RpcMessage, type Transport } from '../shared/rpc';
import type { HostMethods, WorkerMethods } from '../shared/workerProtocol';
import { workerHandlers } from './handlers';

/** Entry of the worker child process: serves {@link WorkerMethods} over the Node IPC channel. */
function start(): void {
  if (!process.send) {
    process.stderr.write('error: the worker must be started by the extension or the CLI (no IPC channel)\n');
    process.exitCode = 2;
    return;
  }
  const transport: Transport = {
    send: (message: RpcMessage) => {
      process.send!(message);
    },
    onMessage: (listener) => {
      process.on('message', listener);
      return () => process.off('message', listener);
    },
  };
  new RpcEndpoint<WorkerMethods, HostMethods>(transport, workerHandlers);
  // Exit with the parent: when the IPC channel closes nobody can read our answers.
  process.on('disconnect', () => process.exit(0));
}

start();
