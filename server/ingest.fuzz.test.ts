// A sample of the ingest fuzzing, every endpoint and socket handler; the long tier sends 10,000 each.
import { describeIngestFuzz } from './ingest-fuzz.ts';

describeIngestFuzz(1_000);
