import { join } from 'node:path';
import { runApp } from '@estate/platform';
import { buildOpsApp } from './app';

runApp('ops', buildOpsApp, join(__dirname, '..', 'cdktf.out'));
