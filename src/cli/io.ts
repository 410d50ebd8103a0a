/**
 * The CLI's view of the outside world, passed to every command so that tests can run commands
 * in-process and capture what they print.
 */
import pc from 'picocolors';

export interface CliIo {
  stdout(text: string): void;
  /**
   * Writes UTF-8 text given as bytes to stdout, as `stdout` writes text (a long report's bytes need not
   * be decoded into a string only to be encoded again); resolves once the stream is done with them
   * (written, or dropped for a reader that went away), after which the caller may write over them.
   */
  stdoutBytes?(bytes: Uint8Array): Promise<void>;
  stderr(text: string): void;
  /** Whether stdout is an interactive terminal (colours and progress only then). */
  readonly isTTY: boolean;
  /** Colour functions; identity functions when colour is off. */
  readonly colors: Colors;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** All of standard input, as text (for `-` arguments); absent where there is none. */
  readStdin?(): Promise<string>;
}

export type Colors = ReturnType<typeof pc.createColors>;

/**
 * Writes to a process stream until the reader goes away: `oclhub resolve --format ocl | head` closes
 * the pipe early, and the rest of the output has nowhere to go — that is the reader's choice, not an
 * error, so it is dropped quietly instead of crashing with EPIPE.
 */
function streamWriter(stream: NodeJS.WriteStream): { text(text: string): void; bytes(bytes: Uint8Array): Promise<void> } {
  let closed = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') closed = true;
    else throw error;
  });
  return {
    text: (text) => {
      if (!closed && !stream.destroyed) stream.write(text);
    },
    // The write's callback comes once the stream is done with the bytes, written or failed.
    bytes: (bytes) => new Promise<void>((resolve) => (closed || stream.destroyed ? resolve() : void stream.write(bytes, () => resolve()))),
  };
}

export function processIo(): CliIo {
  const isTTY = Boolean(process.stdout.isTTY) && !process.env.CI;
  const stdout = streamWriter(process.stdout);
  return {
    stdout: stdout.text,
    stdoutBytes: stdout.bytes,
    stderr: streamWriter(process.stderr).text,
    isTTY,
    colors: pc.createColors(colorWanted(process.env, isTTY)),
    cwd: process.cwd(),
    env: process.env,
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}

/**
 * Colour as the usual conventions say: `FORCE_COLOR` (any value but `0`/`false`) turns it on even in
 * CI logs and pipes, `NO_COLOR` (any non-empty value) turns it off, otherwise only on a terminal.
 */
export function colorWanted(env: NodeJS.ProcessEnv, terminal: boolean): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  if (env.NO_COLOR) return false;
  return terminal;
}

/** An in-memory IO for tests: collects output, no colour, not a TTY; `stdin` is what standard input holds. */
export function memoryIo(cwd = process.cwd(), stdin?: string): CliIo & { out: string[]; err: string[]; text(): string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (t) => void out.push(t),
    // Decoded as it comes (a caller writes whole UTF-8 text), so that the memory may be written over.
    stdoutBytes: async (bytes) => void out.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')),
    stderr: (t) => void err.push(t),
    isTTY: false,
    colors: pc.createColors(false),
    cwd,
    env: {},
    ...(stdin !== undefined ? { readStdin: async () => stdin } : {}),
    text: () => out.join(''),
  };
}

/** Exit codes shared by every command. */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;
