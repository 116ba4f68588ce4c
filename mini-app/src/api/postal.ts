import {
  type DossierPostal,
  type FailedDeliveryChoice,
  PickupSlot,
  PostalKind,
  type PostalOrderView,
  PostalStatus,
} from "@qn/shared";
import { z } from "zod";

/**
 * The postal API's answers as the mini-app reads them (issue 15): shared/src/postal.ts gives their types, these
 * schemas check them, typed as those types (a field renamed there fails the type check here; a newer server's extra
 * fields pass, a missing one is "Dữ liệu nhận được không hợp lệ").
 * The contact's phone is masked for the citizen ("09****678"), so it is read as text, not as a phone number.
 */

const Address = z.object({ communeCode: z.string(), street: z.string() });
const Contact = z.object({ name: z.string(), phone: z.string(), address: Address });

const Quote = z.object({
  pickup: z.number(),
  delivery: z.object({ charge: z.number(), codFee: z.number(), cod: z.number() }),
});

/** `GET /api/postal/quote?procedure=&commune=`: before a dossier exists. */
export const PostalQuoteAnswer = z.object({
  procedureCode: z.string(),
  allowed: z.boolean(),
  message: z.string().nullable(),
  quote: Quote.nullable(),
  pickupDates: z.array(z.string()),
  slots: z.array(z.object({ slot: PickupSlot, label: z.string() })),
});
export type PostalQuoteAnswer = z.infer<typeof PostalQuoteAnswer>;

const Choice = z.enum(["redeliver", "change-address", "counter"]) satisfies z.ZodType<FailedDeliveryChoice["choice"]>;

const OrderView: z.ZodType<PostalOrderView> = z.object({
  reference: z.string(),
  dossierCode: z.string(),
  kind: PostalKind,
  status: PostalStatus,
  statusLabel: z.string(),
  waybill: z.string().nullable(),
  contact: Contact,
  pickup: z.object({ date: z.string(), slot: PickupSlot, slotLabel: z.string() }).nullable(),
  charge: z.number(),
  codAmount: z.number(),
  events: z.array(z.object({ status: PostalStatus, label: z.string(), at: z.string(), note: z.string().nullable() })),
  proof: z
    .object({
      receivedBy: z.string().nullable(),
      at: z.string(),
      note: z.string().nullable(),
      url: z.string().nullable(),
    })
    .nullable(),
  choices: z.array(Choice),
  chosen: Choice.nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** `GET /api/dossiers/:code/postal` and the answers of the citizen's postal requests. */
export const DossierPostalAnswer: z.ZodType<DossierPostal> = z.object({
  dossierCode: z.string(),
  allowed: z.boolean(),
  pickupBlocked: z.string().nullable(),
  deliveryBlocked: z.string().nullable(),
  quote: Quote.nullable(),
  orders: z.array(OrderView),
  /** The applicant's phone only when Zalo shared it (null otherwise). */
  suggested: Contact.extend({ phone: z.string().nullable() }).nullable(),
});
