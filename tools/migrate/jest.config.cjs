module.exports = {
  displayName: 'migrate',
  preset: '../../jest.preset.js',
};
