// The full ingest fuzzing: 10,000 generated requests per endpoint and socket handler.
import { describeIngestFuzz } from './ingest-fuzz.ts';

describeIngestFuzz(10_000);
