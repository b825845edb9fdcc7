module.exports = {
  displayName: 'migrate',
  preset: '../../jest.preset.js',
  // Every spec talks to a real DynamoDB Local; on a shared 2-core machine one test can take seconds.
  testTimeout: 30_000,
};
