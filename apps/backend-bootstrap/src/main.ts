import { join } from 'node:path';
import { runApp } from '@estate/platform';
import { buildBootstrapApp } from './app';

runApp('backend-bootstrap', buildBootstrapApp, join(__dirname, '..', 'cdktf.out'));
