/**
 * SurePassID API return codes (`errorCode`). The seed (003) documents only `0` with `"errorMessage": "OK"`
 * and that any other code is a failure (`if (resp.ErrorCode != 0)`); issue 4 names 9000, 9003 and 9021 and
 * the range 9000-9044. The other names are those of SurePassID's published APIReturnCode list (its "API
 * Return Codes" page), used here only to name codes in messages; the judge never needs them. 9024 is absent
 * from that list, so it is absent here.
 */
export const RETURN_CODES: Readonly<Record<number, string>> = {
  0: 'Success',
  9000: 'PartnerLoginFailed',
  9001: 'PartnerUserLoginFailed',
  9002: 'OTPAlreadyUsed',
  9003: 'OTPInvalid',
  9004: 'DeviceInvalid',
  9005: 'UpdateDeviceCounterFailed',
  9006: 'MaximumCardUsesExceeded',
  9007: 'PartnerUserLoginDisabled',
  9008: 'DeviceTypeInvalid',
  9009: 'DeviceNotSpecified',
  9010: 'DatabaseError',
  9011: 'OTPTypeInvalid',
  9012: 'SMSSendError',
  9013: 'InvalidDeviceConfig',
  9014: 'NoAdminDeviceDefined',
  9015: 'MaximumFailedOTPRequestsExceeded',
  9016: 'CreateTransactionFailed',
  9017: 'PartnerUserSendPasswordEmailFailed',
  9018: 'DeviceAssignedToDifferentPartner',
  9019: 'DeviceInUse',
  9020: 'SerialNumberNotSpecified',
  9021: 'DeviceNotFound',
  9022: 'UpdateTransactionStatusFailed',
  9023: 'UpdateTransactionStatusInvalid',
  9025: 'UpdateTransactionReferenceCodeNotSpecified',
  9026: 'UpdateTransactionReferenceCodeNotFound',
  9027: 'UpdateTransactionApprovalCodeMissmatch',
  9028: 'DeviceDiabled',
  9029: 'BogusSerialNumber',
  9030: 'BogusOTP',
  9031: 'EmailSendError',
  9032: 'AccountExpired',
  9033: 'PartnerUserLoginFailedNotAdmin',
  9034: 'PartnerUserLoginFailedInvalidOTP',
  9035: 'TimeDriftInvalid',
  9036: 'NoDevicesDefined',
  9037: 'NoChallengeDevicesDefined',
  9038: 'PartnerUserLoginFailedInvalidDomain',
  9039: 'DeviceIsNotAChallengeDevice',
  9040: 'SystemKeyProviderEnpointNotSet',
  9041: 'SystemTwoFactorNotSet',
  9042: 'GetRadiusServerClientList',
  9043: 'SendOTPExpired',
  9044: 'SendOTPInvalidDeliveryMethod',
};

export const SUCCESS = 0;
export const PARTNER_LOGIN_FAILED = 9000;
export const PARTNER_USER_LOGIN_FAILED = 9001;
export const OTP_INVALID = 9003;
export const DEVICE_INVALID = 9004;
export const DEVICE_ASSIGNED_TO_DIFFERENT_PARTNER = 9018;
export const DEVICE_IN_USE = 9019;
export const DEVICE_NOT_FOUND = 9021;

/** `9021 DeviceNotFound`, `0 Success`, or `9999 (not a documented code)`. */
export function codeName(code: number): string {
  const name = RETURN_CODES[code];
  return name === undefined ? `${code} (not a documented code)` : `${code} ${name}`;
}
