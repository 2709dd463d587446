import { describe, expect } from 'vitest';
import { capturedLogs } from '../../support/log-capture';
import { figures, proves, scanLogsForSecrets } from './report';
import type { ReliabilityStack } from './stack';

/**
 * The last test of every file: the logs captured so far in this run are searched for every secret
 * noted so far in this run (this file's simulator state included). Whichever file vitest runs last
 * therefore searches the logs of the whole suite for the secrets of the whole suite.
 */
export const leakScanTest = (stack: () => ReliabilityStack): void => {
  describe('secrets', () => {
    proves(
      'secrets.logs',
      'the logs of the run so far hold none of the secrets the run produced',
      async () => {
        // Prepare
        await stack().noteSimSecrets();

        // Act
        const scan = scanLogsForSecrets();
        figures.secretsSearched = scan.secrets;
        figures.logLinesSearched = scan.logLines;
        figures.leaksFound = scan.total;

        // Assess: the capture works (the functions' own lines are there), and no secret is in it.
        expect(capturedLogs()).toContain('"message":"request"');
        expect(scan.secrets).toBeGreaterThan(0);
        expect(scan.leaks).toEqual({});
      },
    );
  });
};
