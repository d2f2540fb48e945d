type State = 'text' | 'escape' | 'csi' | 'string' | 'string-escape' | 'charset';

/**
 * Turns terminal output into transcript text, chunk by chunk: escape sequences (CSI, OSC, DCS and the
 * other string sequences, charset selections) are removed even when a chunk boundary splits them;
 * `\r\n` becomes `\n`; other control characters except tab are dropped.
 */
export class AnsiStripper {
  private state: State = 'text';

  push(input: string): string {
    let output = '';
    for (let index = 0; index < input.length; index++) {
      const char = input[index]!;
      const code = char.charCodeAt(0);
      switch (this.state) {
        case 'text':
          if (code === 0x1b) this.state = 'escape';
          else if (code === 0x9b) this.state = 'csi';
          else if (code === 0x9d || code === 0x90) this.state = 'string';
          else if (char === '\n' || char === '\t' || code >= 0x20) {
            if (code !== 0x7f && !(code >= 0x80 && code < 0xa0)) output += char;
          }
          break;
        case 'escape':
          if (char === '[') this.state = 'csi';
          else if (char === ']' || char === 'P' || char === 'X' || char === '^' || char === '_')
            this.state = 'string';
          else if (
            char === '(' ||
            char === ')' ||
            char === '*' ||
            char === '+' ||
            char === '#' ||
            char === '%'
          ) {
            this.state = 'charset';
          } else this.state = 'text';
          break;
        case 'csi':
          if (code >= 0x40 && code <= 0x7e) this.state = 'text';
          break;
        case 'charset':
          this.state = 'text';
          break;
        case 'string':
          if (code === 0x07 || code === 0x9c) this.state = 'text';
          else if (code === 0x1b) this.state = 'string-escape';
          break;
        case 'string-escape':
          this.state = char === '\\' ? 'text' : 'string';
          break;
        default: {
          const unreachable: never = this.state;
          throw new Error(`unknown state ${unreachable}`);
        }
      }
    }
    return output;
  }
}
