// One task queue per WhatsApp number, served only by the process that holds that number's socket.
// Pure and dependency-free so workflow code can import it.
export function whatsappTaskQueue(numberId: string): string {
  return `whatsapp-${numberId}`;
}
