// Types for messages.js, so the TypeScript tests can import the browser codec.
export declare const SERVO_ANGLE: 12;
export declare const SERVO_ROTATE: 13;
export declare const LIGHT_LEVEL: 14;
export declare const LED_DUTY: 15;
export declare const LED_SET: 16;
export declare const STATUS: 17;
export declare const MESSAGE_SIZE: 8;
export declare function inRange(cmd: number, value: number): boolean;
export declare function encodeMessage(cmd: number, value: number): ArrayBuffer;
export declare function decodeMessages(buf: ArrayBuffer | ArrayBufferView): { cmd: number; value: number }[] | null;
