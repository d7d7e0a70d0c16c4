// Prints one closing line, `tests: N passed, N failed`, from jest's own results.
// A suite that failed to run at all counts as a failed test, so it can never read as green.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    process.stdout.write(`tests: ${results.numPassedTests} passed, ${failed} failed\n`);
  }
}
module.exports = SummaryReporter;
