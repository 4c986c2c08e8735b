// Production API process (stateless; scale horizontally).
import { runProcess } from './process-main';

runProcess({ api: true, worker: false });
