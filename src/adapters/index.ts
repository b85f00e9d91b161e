export { ReceiptSigner } from './receipt-signer.ts';
export type { Adapter, AdapterBlobs, AdapterContext, AdapterIntent, AdapterOutcome, AdapterSecrets, AdapterUsage } from './adapter.ts';
