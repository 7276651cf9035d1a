import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, Matches } from 'class-validator';
import { ID, NoteDto } from '../referrals/referral.dto';

export class SendBriefingDto extends NoteDto {
  @ApiProperty({ example: 'dr-rheum-okafor', description: 'The specialist (or their practice) the packet goes to.' })
  @Matches(ID, { message: 'specialistId must be letters, digits, ., _ or -' })
  specialistId!: string;
}

export class AcknowledgeBriefingDto {
  @ApiProperty({ example: 'dr-rheum-okafor', description: 'The specialist, or the integration relaying the acknowledgement.' })
  @Matches(ID, { message: 'acknowledgedBy must be letters, digits, ., _ or -' })
  acknowledgedBy!: string;

  @ApiPropertyOptional({ description: 'When the specialist acknowledged; now if omitted.' })
  @IsOptional()
  @IsISO8601({ strict: true })
  acknowledgedAt?: string;
}
