import type { ExportedFile } from '../../../shared/ipc.ts';
import { platform } from '../platform/index.ts';
import { useSettings } from '../state/settings.ts';

/** Offers a file to the user as a download (a Blob link; Electron asks where to save it). */
export function offerDownload(file: ExportedFile, type: string): void {
  const url = URL.createObjectURL(new Blob([file.text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = file.fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** What an import did, in words, for the user. */
export interface ImportReport {
  messages: string[];
  failed: boolean;
}

const MAX_IMPORT_BYTES = 1024 * 1024;

/** Imports `.vnc` files (RealVNC, TigerVNC) as new bookmarks, one at a time, saying what happened. */
export async function importVncFiles(files: readonly File[]): Promise<ImportReport> {
  const messages: string[] = [];
  let failed = false;
  for (const file of files) {
    try {
      if (file.size > MAX_IMPORT_BYTES) throw new Error('the file is larger than 1 MiB, not a .vnc file');
      const text = await file.text();
      const { bookmark, warnings } = await platform().invoke('bookmarks:import-vnc', {
        fileName: file.name,
        text,
      });
      useSettings.getState().putBookmark(bookmark);
      messages.push(`Imported "${bookmark.name}" (${bookmark.address}) from ${file.name}.`);
      for (const warning of warnings) messages.push(`${file.name}: ${warning}`);
    } catch (error) {
      failed = true;
      messages.push(`${file.name} was not imported: ${(error as Error).message}`);
    }
  }
  return { messages, failed };
}

/** Imports a JSON export of bookmarks (Porthole's own format). */
export async function importJsonFile(file: File): Promise<ImportReport> {
  try {
    if (file.size > 16 * MAX_IMPORT_BYTES) throw new Error('the file is larger than 16 MiB');
    const { added, bookmarks } = await platform().invoke('bookmarks:import-json', {
      text: await file.text(),
    });
    useSettings.getState().setBookmarks(bookmarks);
    return {
      messages: [`Imported ${added} bookmark${added === 1 ? '' : 's'} from ${file.name}.`],
      failed: false,
    };
  } catch (error) {
    return { messages: [`${file.name} was not imported: ${(error as Error).message}`], failed: true };
  }
}

export async function exportBookmarkVnc(id: string): Promise<void> {
  offerDownload(await platform().invoke('bookmarks:export-vnc', { id }), 'application/octet-stream');
}

export async function exportAllJson(): Promise<void> {
  offerDownload(await platform().invoke('bookmarks:export-json', {}), 'application/json');
}
