module.exports = {
  displayName: 'backend-bootstrap',
  preset: '../../jest.preset.js',
};
