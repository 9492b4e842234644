/** Text broken into lines at spaces, for help screens and reports read in a terminal or a mail client. */

/** The words of `text` in lines that fit `width` columns after an indent of `indent`. */
export const wrap = (text: string, indent: number, width = 100): string[] => {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && indent + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines;
};
