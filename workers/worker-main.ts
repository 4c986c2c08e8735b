// Production worker process (scale horizontally).
import { runProcess } from './process-main';

runProcess({ api: false, worker: true });
