// The command contract is defined with the language commands (engine/cli) so both stages share it.
export type { CliCommand, CliIo } from '../../engine/cli/command.ts';
export { EXIT } from '../../engine/cli/command.ts';
