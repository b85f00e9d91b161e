export { ReceiptSigner } from './receipt-signer.ts';
