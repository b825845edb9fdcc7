module.exports = {
  displayName: 'tagging',
  preset: '../../jest.preset.js',
};
