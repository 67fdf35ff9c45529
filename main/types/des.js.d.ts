declare module 'des.js' {
  interface DesCipher {
    update(data: ArrayLike<number>): number[];
    final(): number[];
  }
  interface DesOptions {
    type: 'encrypt' | 'decrypt';
    key: ArrayLike<number>;
    padding?: boolean;
  }
  interface DesMode {
    create(options: DesOptions & { iv?: ArrayLike<number> }): DesCipher;
  }
  export const DES: {
    create(options: DesOptions): DesCipher;
  };
  /** Cipher-block chaining over a block cipher: `CBC.instantiate(DES).create({ …, iv })`. */
  export const CBC: {
    instantiate(cipher: typeof DES): DesMode;
  };
}
