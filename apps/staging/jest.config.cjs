module.exports = {
  displayName: 'staging',
  preset: '../../jest.preset.js',
};
