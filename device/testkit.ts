// Not part of the app: the drivers on `global.pw` so test/device-drivers.test.ts can run the
// same ES5 modules on the virtual board and call them from its console.
import { encoderGet, encoderSet, encoderStart, encoderStop } from "./encoder";
import { ledGet, ledSet, ledStart } from "./led";
import { lightGet, lightStart, lightStop } from "./light";
import { servoGet, servoSet, servoStart } from "./servo";

(global as any).pw = {
  encoderStart: encoderStart,
  encoderStop: encoderStop,
  encoderSet: encoderSet,
  encoderGet: encoderGet,
  servoStart: servoStart,
  servoSet: servoSet,
  servoGet: servoGet,
  lightStart: lightStart,
  lightStop: lightStop,
  lightGet: lightGet,
  ledStart: ledStart,
  ledSet: ledSet,
  ledGet: ledGet,
};
